; id: x
((identifier) @f (#nope? @f "x"))
