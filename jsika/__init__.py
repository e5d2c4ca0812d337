"""e-JSiKa: management information system for regional conditional cash-transfer programs."""
