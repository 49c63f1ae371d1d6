// Resilience: see Resilience.docc for the module overview.
