//! TEMPORARY stand-in for the pay engine being built on the `pay` branch; replaced at merge.
use super::ids::{ChannelId, UserId};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverPoint {
    pub at: DateTime<Utc>,
    pub to: UserId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRota {
    pub channel: ChannelId,
    pub handovers: Vec<HandoverPoint>,
}
#[derive(Debug, Clone)]
pub struct PayPolicy {
    pub timezone: chrono_tz::Tz,
}
