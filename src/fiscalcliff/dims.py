"""Dimension and coordinate names, defined once and used everywhere."""

CHAIN = "chain"
DRAW = "draw"
DATE = "date"
SCENARIO = "scenario"
VARIABLE = "variable"
#: rows of the coefficient matrix B (constant, lags of each variable, exogenous)
REGRESSOR = "regressor"
#: columns of B and rows of Sigma: one per endogenous variable
EQUATION = "equation"
#: second axis of Sigma
EQUATION_2 = "equation_2"
#: months of the ragged edge (data after the sample for some series), filled per draw
NOWCAST_DATE = "nowcast_date"
