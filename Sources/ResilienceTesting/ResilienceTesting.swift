// ResilienceTesting: see ResilienceTesting.docc for the module overview.
