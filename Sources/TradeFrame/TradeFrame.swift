// TradeFrame: see TradeFrame.docc for the module overview.
