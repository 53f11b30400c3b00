"""Network access to the paper sources.

`transport`: a polite httpx transport (spacing, retries, Retry-After) mounted per host by
`polite_client`. `listings`: the arXiv API, OAI-PMH and HF Daily Papers listings, yielding each
page parsed once, with the cursor to resume from.
"""
