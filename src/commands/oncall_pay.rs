//! `/oncall-pay` (filled in when the pay engine lands).
use super::{Directory, Engine, Handled, Invocation, Reply};
use crate::store::Store;

pub(crate) async fn run<S: Store, D: Directory>(
    _engine: &Engine<S, D>,
    _inv: &Invocation,
) -> Handled {
    Ok((Reply::private("pay"), "pay"))
}
