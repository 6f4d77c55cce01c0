//! Market-structure family: concentration of market caps and sector/size rotation.

pub mod concentration;
pub mod error;
pub mod json;
pub mod rotation;
pub mod signals;

pub use error::{Result, StructureError};
