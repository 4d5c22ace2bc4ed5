//! TEMPORARY stand-in for the `[pay]` section, being built on the `pay` branch; replaced at merge.
use crate::domain::pay::PayPolicy;
use chrono_tz::Tz;
use std::path::Path;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaySection {}

#[derive(Debug, thiserror::Error)]
#[error("pay")]
pub struct PayConfigError;

impl PaySection {
    pub fn into_policy(self, tz: Tz, _dir: &Path) -> Result<PayPolicy, PayConfigError> {
        Ok(PayPolicy { timezone: tz })
    }
}
