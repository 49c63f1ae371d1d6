// Idempotency: see Idempotency.docc for the module overview.
