//! The pay policy: which rate each local day is paid at.

use crate::domain::holidays::HolidayCalendar;
use crate::domain::money::{Currency, Money};
use crate::domain::month::YearMonth;
use chrono::{Datelike, NaiveDate, Weekday};
use chrono_tz::Tz;

/// The kind of a local calendar day, which decides its rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DayKind {
    Weekday,
    Weekend,
    BankHoliday,
}

impl DayKind {
    /// In the order a breakdown lists them.
    pub const ALL: [DayKind; 3] = [DayKind::Weekday, DayKind::Weekend, DayKind::BankHoliday];

    pub(crate) fn index(self) -> usize {
        match self {
            DayKind::Weekday => 0,
            DayKind::Weekend => 1,
            DayKind::BankHoliday => 2,
        }
    }

    /// Singular label for replies: "weekday", "weekend", "bank holiday".
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Weekday => "weekday",
            DayKind::Weekend => "weekend",
            DayKind::BankHoliday => "bank holiday",
        }
    }
}

/// Rates per full on-call day, in the policy's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rates {
    pub weekday: Money,
    pub weekend: Money,
    pub bank_holiday: Money,
}

impl Rates {
    pub fn for_kind(&self, kind: DayKind) -> Money {
        match kind {
            DayKind::Weekday => self.weekday,
            DayKind::Weekend => self.weekend,
            DayKind::BankHoliday => self.bank_holiday,
        }
    }
}

/// The days of the week paid at the weekend rate (Saturday and Sunday unless configured; some
/// UK schemes add Friday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekendDays(u8);

impl WeekendDays {
    pub fn saturday_and_sunday() -> Self {
        Self::from_days([Weekday::Sat, Weekday::Sun])
    }

    pub fn from_days(days: impl IntoIterator<Item = Weekday>) -> Self {
        Self(
            days.into_iter()
                .fold(0, |bits, d| bits | 1 << d.num_days_from_monday()),
        )
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// No day of the week is a weekend day.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl Default for WeekendDays {
    fn default() -> Self {
        Self::saturday_and_sunday()
    }
}

/// New rates from the first day of a month: that month and every later one, until the next
/// change, are paid at them.
///
/// Changes go by whole months because a month is what pay is asked for and exported: each
/// month is paid at one set of rates, so a statement, its rows and the team total are each
/// priced once, and a month's figures never change when a later rate is written into the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateChange {
    pub from: YearMonth,
    pub rates: Rates,
}

/// Everything pay depends on besides the handovers. Rates are in `currency` (config checks it).
#[derive(Debug, Clone)]
pub struct PayPolicy {
    /// Local days, and so shares and months, are counted in this zone.
    pub timezone: Tz,
    pub currency: Currency,
    /// The rates before the first of `rate_changes` (and always, without changes). None:
    /// amounts are not configured, show days only.
    pub rates: Option<Rates>,
    /// Sorted by `from`, each month at most once; empty when `rates` is None (config checks
    /// both). Ask [`PayPolicy::rates_for`] which rates a month is paid at.
    pub rate_changes: Vec<RateChange>,
    pub weekend_days: WeekendDays,
    pub calendar: HolidayCalendar,
}

/// How pay treats one local date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRule {
    pub kind: DayKind,
    /// False when the holiday calendar does not speak for the date (and it is not an extra
    /// company day): the kind then comes from the weekday/weekend rule alone and may be wrong.
    pub calendar_known: bool,
}

impl PayPolicy {
    /// A policy for a config without `[pay]`: GBP, no rates (days only), Saturday and Sunday,
    /// the compiled-in England and Wales calendar.
    pub fn unconfigured(tz: Tz) -> Self {
        // The compiled-in file is pinned by tests, so this cannot fail in a released build; if it
        // ever did, an empty calendar makes every date "uncovered" and callers warn, rather than
        // quietly paying holidays as working days.
        let calendar = HolidayCalendar::builtin("england-and-wales")
            .unwrap_or_else(|_| HolidayCalendar::empty());
        Self {
            timezone: tz,
            currency: Currency::gbp(),
            rates: None,
            rate_changes: Vec::new(),
            weekend_days: WeekendDays::default(),
            calendar,
        }
    }

    /// The rates `month` is paid at: those of the latest change from that month or before it,
    /// else the base rates; None when rates are not configured.
    pub fn rates_for(&self, month: YearMonth) -> Option<&Rates> {
        let base = self.rates.as_ref()?;
        Some(
            self.rate_changes
                .iter()
                .rev()
                .find(|c| c.from <= month)
                .map_or(base, |c| &c.rates),
        )
    }

    /// The rate a date is paid at: bank holiday (calendar or extra day), else weekend on the
    /// weekend days, else weekday.
    ///
    /// A date the calendar does not cover is paid by the weekday/weekend rule and flagged, so the
    /// caller can warn loudly. We chose that over refusing to pay: the engineer still sees an
    /// accrual, and the warning tells the operator to load a newer holiday file, after which the
    /// figure is corrected (statements are recomputed from the handovers, never stored).
    pub fn day_rule(&self, date: NaiveDate) -> DayRule {
        let extra = self.calendar.is_extra(date);
        let kind = if self.calendar.is_holiday(date) {
            DayKind::BankHoliday
        } else if self.weekend_days.contains(date.weekday()) {
            DayKind::Weekend
        } else {
            DayKind::Weekday
        };
        DayRule {
            kind,
            calendar_known: extra || self.calendar.covers(date),
        }
    }
}
