"""Network access: polite HTTP to the paper sources, and the listings that page through them."""
