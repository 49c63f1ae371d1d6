// IdempotencyConformance: see IdempotencyConformance.docc for the module overview.
