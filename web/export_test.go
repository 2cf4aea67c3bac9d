package web

func init() { bcryptCost = 4 } // bcrypt's minimum: the tests check the flow, not the work factor
