//! Market-structure family: concentration of market caps and sector/size rotation.
