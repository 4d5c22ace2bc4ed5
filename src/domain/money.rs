//! Money and exact quantities: a currency from its ISO 4217 code, amounts in integer minor units,
//! exact fractions for the in-between values, and fractional day counts.
//!
//! Pay is promised to the penny, so nothing here is a float. Shares of a day are exact
//! [`Fraction`]s; an amount becomes [`Money`] only once, at the end, rounded half up.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Add;

/// The largest amount [`Money::parse`] accepts, in minor units (£10 billion for GBP).
///
/// The cap keeps every later sum far from overflow: a month's total is at most 31 days × the
/// rate per channel, and the exact arithmetic runs in `i128`.
const MAX_PARSED_MINOR: i64 = 1_000_000_000_000;

/// Why text is not an amount, or a code is not a currency. The texts are written to follow a
/// config key, e.g. "pay.weekday: `-5.00` is negative".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("`{0}` is not an ISO 4217 currency code")]
    UnknownCurrency(String),
    #[error("`{0}` has no minor unit (it is not a currency people are paid in)")]
    NoMinorUnit(String),
    #[error("`{0}` is not an amount: write digits with an optional decimal point, e.g. \"50.00\"")]
    NotAnAmount(String),
    #[error("`{0}` is negative")]
    Negative(String),
    #[error("`{text}` has more decimals than {currency} allows ({exponent})")]
    TooManyDecimals {
        text: String,
        currency: &'static str,
        exponent: u32,
    },
    #[error("`{0}` is too large")]
    TooLarge(String),
}

/// A currency people are paid in: its ISO code, symbol and minor-unit exponent (2 for GBP: pence;
/// 0 for JPY; 3 for KWD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    iso: iso_currency::Currency,
    exponent: u32,
}

impl Currency {
    /// Parses an ISO 4217 code (`GBP`; lower case is accepted). Codes without a minor unit (gold,
    /// SDRs, "no currency") are refused: an amount in them has no smallest unit to round to.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let iso = iso_currency::Currency::from_code(&code.trim().to_ascii_uppercase())
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))?;
        let exponent = iso
            .exponent()
            .ok_or_else(|| MoneyError::NoMinorUnit(code.to_owned()))?;
        Ok(Self {
            iso,
            exponent: u32::from(exponent),
        })
    }

    /// Pound sterling, the default for a UK rota.
    pub fn gbp() -> Self {
        Self {
            iso: iso_currency::Currency::GBP,
            exponent: 2,
        }
    }

    /// The ISO code, e.g. `GBP`.
    pub fn code(&self) -> &'static str {
        self.iso.code()
    }

    /// The symbol shown before amounts: `£`, `¥`, `د.ك`. The generic sign `¤` tells a reader
    /// nothing, so currencies without their own symbol show their code instead (`CLF 1.0000`).
    pub fn symbol(&self) -> String {
        let symbol = self.iso.symbol().symbol;
        if symbol.is_empty() || symbol == "¤" {
            format!("{} ", self.code())
        } else {
            symbol
        }
    }

    /// Digits after the decimal point: 2 for GBP.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    fn minor_per_major(&self) -> i64 {
        10_i64.pow(self.exponent)
    }
}

/// An amount of money: a whole number of minor units (pence for GBP) in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// Parses a non-negative amount as written in config: `50`, `50.5`, `50.00`. Refuses signs,
    /// separators, and more decimals than the currency has (`50.001` for GBP), because silently
    /// rounding a configured rate would pay people something nobody wrote down. Zeros past its
    /// decimals (`50.00` yen, `50.500` pounds) round nothing, so are taken.
    pub fn parse(text: &str, currency: &Currency) -> Result<Self, MoneyError> {
        let trimmed = text.trim();
        let (negative, unsigned) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (unsigned, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !fraction.is_none_or(all_digits) {
            return Err(MoneyError::NotAnAmount(text.to_owned()));
        }
        if negative {
            return Err(MoneyError::Negative(text.to_owned()));
        }
        // Zeros past the currency's minor digits change nothing (`50.00` yen is 50 yen).
        let exponent = currency.exponent();
        let fraction = fraction.unwrap_or("");
        let fraction = match fraction.split_at_checked(exponent as usize) {
            Some((digits, zeros)) if zeros.bytes().all(|b| b == b'0') => digits,
            _ => fraction,
        };
        if fraction.len() > exponent as usize {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_owned(),
                currency: currency.code(),
                exponent,
            });
        }
        let too_large = || MoneyError::TooLarge(text.to_owned());
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        // Pad the decimals to the exponent: "50.5" in GBP is 50 pounds and 50 pence.
        let padded = format!("{fraction:0<width$}", width = exponent as usize);
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| too_large())?
        };
        let minor = whole
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(fraction))
            .filter(|&m| m <= MAX_PARSED_MINOR)
            .ok_or_else(too_large)?;
        Ok(Self {
            minor,
            currency: *currency,
        })
    }

    /// An amount from minor units (pence for GBP).
    pub fn from_minor(minor: i64, currency: &Currency) -> Self {
        Self {
            minor,
            currency: *currency,
        }
    }

    /// An amount from whole minor units computed exactly; saturates like
    /// [`from_exact_minor`](Self::from_exact_minor).
    pub fn from_whole_minor(minor: i128, currency: &Currency) -> Self {
        Self::from_minor(i64::try_from(minor).unwrap_or(i64::MAX), currency)
    }

    #[cfg(test)]
    pub fn zero(currency: &Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// Rounds an exact amount of minor units once, half up, to a whole minor unit.
    pub fn from_exact_minor(exact: Fraction, currency: &Currency) -> Self {
        // A month's pay stays far below i64::MAX minor units: rates are capped at 10^12 minor
        // units a day (see MAX_PARSED_MINOR), so overflow would need ~300,000 channel-months in
        // one sum. Saturate rather than panic if that is ever exceeded.
        Self::from_whole_minor(exact.round_half_up(), currency)
    }

    pub fn minor_units(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// The amount without symbol or separators, for CSV: `1379.17`.
    pub fn plain(&self) -> String {
        let (sign, major, minor) = self.parts();
        match minor {
            Some(minor) => format!("{sign}{major}.{minor}"),
            None => format!("{sign}{major}"),
        }
    }

    /// Sign, whole units and zero-padded minor digits (None for 0-exponent currencies).
    fn parts(&self) -> (&'static str, u64, Option<String>) {
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        let exponent = self.currency.exponent();
        let per_major = 10_u64.pow(exponent);
        let minor = (exponent > 0).then(|| {
            format!(
                "{:0width$}",
                magnitude % per_major,
                width = exponent as usize
            )
        });
        (sign, magnitude / per_major, minor)
    }
}

/// `£1,379.17`: symbol, thousands separators, as many decimals as the currency has.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, major, minor) = self.parts();
        let digits = major.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}{}{grouped}", self.currency.symbol())?;
        match minor {
            Some(minor) => write!(f, ".{minor}"),
            None => Ok(()),
        }
    }
}

/// An exact rational number, kept in lowest terms with a positive denominator, so that `==`
/// compares values. Denominators stay small (the lengths of the days involved), so `i128`
/// leaves enormous headroom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    num: i128,
    den: i128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Fraction {
    pub const ZERO: Self = Self { num: 0, den: 1 };

    /// `num / den`; None when `den` is zero.
    pub fn new(num: i128, den: i128) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let sign = if (num < 0) != (den < 0) && num != 0 {
            -1
        } else {
            1
        };
        let (n, d) = (num.unsigned_abs(), den.unsigned_abs());
        let g = gcd(n, d).max(1);
        // Both quotients are at most the original magnitudes, which came from i128 values, so
        // they fit back (i128::MIN aside, which no caller produces).
        Some(Self {
            num: sign * (n / g) as i128,
            den: (d / g) as i128,
        })
    }

    pub fn from_integer(n: i128) -> Self {
        Self { num: n, den: 1 }
    }

    pub fn numer(&self) -> i128 {
        self.num
    }

    /// The value times a whole number, e.g. a day count times a rate in minor units.
    pub fn times(self, k: i128) -> Self {
        let g = gcd(k.unsigned_abs(), self.den as u128).max(1) as i128;
        Self {
            num: self.num * (k / g),
            den: self.den / g,
        }
    }

    /// The nearest integer, halves rounded up (towards +∞): 2.5 → 3, 0.5 → 1, -2.5 → -2.
    pub fn round_half_up(self) -> i128 {
        (2 * self.num + self.den).div_euclid(2 * self.den)
    }

    /// The largest integer not above the value: 2.7 → 2, -2.5 → -3.
    pub fn floor(self) -> i128 {
        self.num.div_euclid(self.den)
    }

    /// What is left above [`floor`](Self::floor), in `[0, 1)`.
    fn remainder(self) -> Self {
        Self {
            num: self.num.rem_euclid(self.den),
            den: self.den,
        }
    }
}

/// Splits `total` whole minor units into one whole part per exact share, the parts adding up to
/// `total` exactly (the largest-remainder method): each share is rounded down, and the units
/// left over go one each to the shares with the largest remainders, the earlier share first on
/// a tie.
///
/// When `total` lies between the floor and the ceiling of the shares' exact sum (as it does when
/// it is that sum rounded once), every part is its own share rounded down or up, and a share
/// that is already whole is never changed. Otherwise the difference is spread evenly first and
/// the odd units as above, so the parts always add up to `total`. With no shares there is
/// nothing to split into: the result is empty.
pub fn apportion(total: i128, shares: &[Fraction]) -> Vec<i128> {
    let mut parts: Vec<i128> = shares.iter().map(|s| s.floor()).collect();
    let left = total - parts.iter().sum::<i128>();
    if left == 0 || shares.is_empty() {
        return parts;
    }
    // Whole rounds for every share first (none when `total` is in range), then the odd units.
    let n = shares.len() as i128;
    let (each, odd) = (left.div_euclid(n), left.rem_euclid(n));
    parts.iter_mut().for_each(|p| *p += each);
    // Largest remainder first; the sort is stable, so equal remainders keep their order.
    let mut order: Vec<(Fraction, usize)> = shares
        .iter()
        .enumerate()
        .map(|(i, s)| (s.remainder(), i))
        .collect();
    order.sort_by_key(|&(remainder, _)| std::cmp::Reverse(remainder));
    for &(_, i) in order.iter().take(odd as usize) {
        parts[i] += 1;
    }
    parts
}

impl Add for Fraction {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        let g = gcd(self.den as u128, other.den as u128) as i128;
        let den = self.den / g * other.den;
        let num = self.num * (den / self.den) + other.num * (den / other.den);
        // `den` is a positive product, so `new` cannot fail; it only reduces.
        Self::new(num, den).unwrap_or(Self::ZERO)
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A number of on-call days, exact: 15 hours of a normal day is 5/8, of the 23-hour day the
/// clocks go forward 15/23. Shown to two decimals, halves up: `4.42`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Days(Fraction);

impl Days {
    pub const ZERO: Self = Self(Fraction::ZERO);

    pub fn from_fraction(exact: Fraction) -> Self {
        Self(exact)
    }

    /// Exactly `hundredths` hundredths of a day.
    pub fn from_hundredths(hundredths: i128) -> Self {
        Self(Fraction::new(hundredths, 100).unwrap_or(Fraction::ZERO))
    }

    pub fn exact(&self) -> Fraction {
        self.0
    }

    /// Hundredths of a day, rounded once, half up: what [`Display`](fmt::Display) shows.
    pub fn hundredths(&self) -> i128 {
        self.0.times(100).round_half_up()
    }

    pub fn is_zero(&self) -> bool {
        self.0.numer() == 0
    }
}

impl Add for Days {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0 + other.0)
    }
}

impl std::iter::Sum for Days {
    fn sum<I: Iterator<Item = Self>>(days: I) -> Self {
        days.fold(Self::ZERO, |sum, d| sum + d)
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.hundredths();
        let sign = if h < 0 { "-" } else { "" };
        let h = h.unsigned_abs();
        write!(f, "{sign}{}.{:02}", h / 100, h % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn currencies_come_from_their_iso_code_with_symbol_and_exponent() {
        // (code, symbol, exponent)
        let cases = [
            ("GBP", "£", 2),
            ("gbp", "£", 2),
            ("EUR", "€", 2),
            ("USD", "$", 2),
            ("JPY", "¥", 0),
            ("KWD", "د.ك", 3),
            ("BHD", ".د.ب", 3),
            ("CLF", "CLF ", 4),
        ];
        for (code, symbol, exponent) in cases {
            let c = currency(code);
            assert_eq!(c.code(), code.to_ascii_uppercase(), "{code}");
            assert_eq!(c.symbol(), symbol, "{code}");
            assert_eq!(c.exponent(), exponent, "{code}");
        }
        assert_eq!(Currency::gbp(), currency("GBP"));
    }

    #[test]
    fn unknown_codes_and_currencies_without_a_minor_unit_are_refused() {
        assert_eq!(
            Currency::parse("XYZ"),
            Err(MoneyError::UnknownCurrency("XYZ".into()))
        );
        assert_eq!(
            Currency::parse("XAU"),
            Err(MoneyError::NoMinorUnit("XAU".into()))
        );
        assert_eq!(
            MoneyError::UnknownCurrency("XYZ".into()).to_string(),
            "`XYZ` is not an ISO 4217 currency code"
        );
    }

    #[test]
    fn amounts_parse_to_exact_minor_units() {
        // (text, currency, minor units)
        let cases = [
            ("50.00", "GBP", 5000),
            ("50", "GBP", 5000),
            ("50.5", "GBP", 5050),
            (" 0.01 ", "GBP", 1),
            ("007.10", "GBP", 710),
            ("1379", "JPY", 1379),
            ("1.5", "KWD", 1500),
            ("1.234", "BHD", 1234),
            ("10000000000.00", "GBP", 1_000_000_000_000),
            // Zeros past the currency's minor digits are exact, so are taken.
            ("50.000", "GBP", 5000),
            ("50.0100", "GBP", 5001),
            ("50.00", "JPY", 50),
            ("50.0", "JPY", 50),
            ("1.5000", "KWD", 1500),
        ];
        for (text, code, minor) in cases {
            let m = Money::parse(text, &currency(code)).unwrap();
            assert_eq!(m.minor_units(), minor, "{text} {code}");
            assert_eq!(m.currency().code(), code);
        }
    }

    #[test]
    fn malformed_negative_too_precise_and_huge_amounts_are_refused() {
        let gbp = Currency::gbp();
        let jpy = currency("JPY");
        let cases = [
            ("-5.00", &gbp, MoneyError::Negative("-5.00".into())),
            (
                "50.001",
                &gbp,
                MoneyError::TooManyDecimals {
                    text: "50.001".into(),
                    currency: "GBP",
                    exponent: 2,
                },
            ),
            (
                "50.0010",
                &gbp,
                MoneyError::TooManyDecimals {
                    text: "50.0010".into(),
                    currency: "GBP",
                    exponent: 2,
                },
            ),
            (
                "50.5",
                &jpy,
                MoneyError::TooManyDecimals {
                    text: "50.5".into(),
                    currency: "JPY",
                    exponent: 0,
                },
            ),
            (
                "50.50",
                &jpy,
                MoneyError::TooManyDecimals {
                    text: "50.50".into(),
                    currency: "JPY",
                    exponent: 0,
                },
            ),
            ("", &gbp, MoneyError::NotAnAmount("".into())),
            ("abc", &gbp, MoneyError::NotAnAmount("abc".into())),
            ("+5", &gbp, MoneyError::NotAnAmount("+5".into())),
            ("-abc", &gbp, MoneyError::NotAnAmount("-abc".into())),
            ("1,000.00", &gbp, MoneyError::NotAnAmount("1,000.00".into())),
            ("50.", &gbp, MoneyError::NotAnAmount("50.".into())),
            (".50", &gbp, MoneyError::NotAnAmount(".50".into())),
            ("£50", &gbp, MoneyError::NotAnAmount("£50".into())),
            ("1e3", &gbp, MoneyError::NotAnAmount("1e3".into())),
            (
                "10000000000.01",
                &gbp,
                MoneyError::TooLarge("10000000000.01".into()),
            ),
            (
                "99999999999999999999999",
                &gbp,
                MoneyError::TooLarge("99999999999999999999999".into()),
            ),
        ];
        for (text, c, want) in cases {
            assert_eq!(Money::parse(text, c), Err(want), "{text}");
        }
        assert_eq!(
            Money::parse("50.001", &gbp).unwrap_err().to_string(),
            "`50.001` has more decimals than GBP allows (2)"
        );
    }

    #[test]
    fn amounts_display_with_symbol_separators_and_the_currencys_decimals() {
        // (minor units, currency, display, plain)
        let cases = [
            (137_917, "GBP", "£1,379.17", "1379.17"),
            (123_456_789, "GBP", "£1,234,567.89", "1234567.89"),
            (100_000, "GBP", "£1,000.00", "1000.00"),
            (99_999, "GBP", "£999.99", "999.99"),
            (5, "GBP", "£0.05", "0.05"),
            (0, "GBP", "£0.00", "0.00"),
            (-1_250, "GBP", "-£12.50", "-12.50"),
            (1_379, "JPY", "¥1,379", "1379"),
            (7, "JPY", "¥7", "7"),
            (1_379_170, "KWD", "د.ك1,379.170", "1379.170"),
            (5, "BHD", ".د.ب0.005", "0.005"),
            (10_000, "CLF", "CLF 1.0000", "1.0000"),
        ];
        for (minor, code, display, plain) in cases {
            let m = Money::from_minor(minor, &currency(code));
            assert_eq!(m.to_string(), display, "{minor} {code}");
            assert_eq!(m.plain(), plain, "{minor} {code}");
        }
    }

    #[test]
    fn exact_amounts_round_once_half_up() {
        // (numerator, denominator of minor units, rounded)
        let cases = [
            (5, 2, 3),    // 2.5p -> 3p (banker's rounding would give 2p)
            (1, 2, 1),    // 0.5p -> 1p
            (7, 2, 4),    // 3.5p -> 4p
            (49, 100, 0), // 0.49p -> 0p
            (51, 100, 1),
            (0, 1, 0),
            (10, 1, 10),
            (-5, 2, -2), // half up is towards +infinity
        ];
        for (n, d, want) in cases {
            let f = Fraction::new(n, d).unwrap();
            assert_eq!(f.round_half_up(), want, "{n}/{d}");
            assert_eq!(
                Money::from_exact_minor(f, &Currency::gbp()).minor_units(),
                want as i64
            );
        }
    }

    #[test]
    fn fractions_stay_in_lowest_terms_so_equal_values_compare_equal() {
        let third = Fraction::new(1, 3).unwrap();
        assert_eq!(third + third + third, Fraction::from_integer(1));
        assert_eq!(Fraction::new(39_600, 82_800), Fraction::new(11, 23));
        assert_eq!(Fraction::new(2, -4), Fraction::new(-1, 2));
        assert_eq!(Fraction::new(1, 0), None);
        assert_eq!(
            Fraction::new(3, 4).unwrap().times(8),
            Fraction::from_integer(6)
        );
        assert!(Fraction::new(11, 23).unwrap() < Fraction::new(1, 2).unwrap());
    }

    #[test]
    fn days_show_two_decimals_rounded_half_up() {
        // (seconds on call, seconds in the day, display)
        let cases = [
            (4 * 86_400 + 36_000, 86_400, "4.42"), // 4 days and 10 hours: 4.41666…
            (10_800, 86_400, "0.13"),              // 0.125 rounds up
            (39_600, 82_800, "0.48"),              // 11 of 23 hours: 0.478…
            (46_800, 90_000, "0.52"),              // 13 of 25 hours exactly
            (0, 86_400, "0.00"),
            (31 * 86_400, 86_400, "31.00"),
        ];
        for (secs, len, want) in cases {
            let d = Days::from_fraction(Fraction::new(secs, len).unwrap());
            assert_eq!(d.to_string(), want, "{secs}/{len}");
        }
    }

    fn shares(pairs: &[(i128, i128)]) -> Vec<Fraction> {
        pairs
            .iter()
            .map(|&(n, d)| Fraction::new(n, d).unwrap())
            .collect()
    }

    #[test]
    fn apportioned_parts_add_up_to_the_total_with_leftovers_to_the_largest_remainders() {
        // (total, exact shares as num/den, parts)
        type Case<'a> = (i128, &'a [(i128, i128)], &'a [i128]);
        let cases: [Case; 10] = [
            // Three channels of a third of £10 each: the rows must say £10.00 between them.
            (1000, &[(1000, 3), (1000, 3), (1000, 3)], &[334, 333, 333]),
            // Four half pennies, paid as 2p (rounded once from 2.0): two rows get a penny.
            (2, &[(1, 2), (1, 2), (1, 2), (1, 2)], &[1, 1, 0, 0]),
            // The largest remainder wins, wherever it is.
            (10, &[(31, 10), (37, 10), (32, 10)], &[3, 4, 3]),
            // Whole shares are never changed.
            (7, &[(5, 1), (3, 2), (1, 2)], &[5, 2, 0]),
            (0, &[(0, 1), (0, 1)], &[0, 0]),
            (0, &[], &[]),
            // Nothing to split into, whatever the total: nothing, not a division by zero.
            (5, &[], &[]),
            // A total off the shares' sum is still spread, so the parts add up to it.
            (3, &[(1, 4), (1, 2)], &[1, 2]),
            (-3, &[(1, 2), (1, 2)], &[-1, -2]),
            (
                1_000_000_000_000,
                &[(1, 2), (1, 2)],
                &[500_000_000_000, 500_000_000_000],
            ),
        ];
        for (total, pairs, want) in cases {
            assert_eq!(apportion(total, &shares(pairs)), want, "{total} {pairs:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn apportioned_parts_add_up_and_each_is_its_share_rounded_down_or_up(
            // Denominators as pay makes them: day lengths in seconds, and their factors.
            pairs in proptest::collection::vec(
                (0i128..10_000_000_000, proptest::sample::select(vec![1i128, 3, 23, 25, 86_400, 82_800, 90_000])),
                0..12,
            ),
            total_nudge in 0i128..2,
        ) {
            let shares = shares(&pairs);
            let exact = shares.iter().fold(Fraction::ZERO, |sum, &s| sum + s);
            // The sum rounded half up, or the sum's floor or ceiling: all in range.
            let total = match total_nudge {
                0 => exact.round_half_up(),
                _ => exact.floor() + i128::from(exact.remainder() != Fraction::ZERO),
            };
            let parts = apportion(total, &shares);
            proptest::prop_assert_eq!(parts.iter().sum::<i128>(), if shares.is_empty() { 0 } else { total });
            for (part, share) in parts.iter().zip(&shares) {
                let floor = share.floor();
                let whole = share.remainder() == Fraction::ZERO;
                proptest::prop_assert!(*part == floor || (!whole && *part == floor + 1), "{part} for {share:?}");
            }
        }
    }
}
