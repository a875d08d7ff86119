"""What every provider adapter shares: its error type, retries, and the account's budget.

An adapter turns its client's failures into `TransientError` (worth another try, perhaps
after a `Retry-After`) or `ProviderError` (failed for good, with a code Hostplane reports),
wraps its calls in `retrying`, and sends its requests through a paced transport (`budget`).
"""
