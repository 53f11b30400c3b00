"""Grouping papers into topics and naming them."""
