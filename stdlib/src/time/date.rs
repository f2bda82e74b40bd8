//! Proleptic Gregorian dates as `datetime.date` computes them (ordinals, weekdays), with its
//! `ValueError` messages, and `_strptime`'s week-based day-of-year calculations.

const DAYS_BEFORE_MONTH: [i64; 13] = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH: [i64; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// `calendar.isleap`.
pub(super) fn is_leap(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    DAYS_IN_MONTH[m as usize] + (m == 2 && is_leap(y)) as i64
}

fn days_before_month(y: i64, m: i64) -> i64 {
    DAYS_BEFORE_MONTH[m as usize] + (m > 2 && is_leap(y)) as i64
}

/// `date(y, m, d).toordinal()`, or the `ValueError` message `date(y, m, d)` raises.
pub(super) fn ordinal(y: i64, m: i64, d: i64) -> Result<i64, String> {
    if !(1..=9999).contains(&y) {
        return Err(format!("year {y} is out of range"));
    }
    if !(1..=12).contains(&m) {
        return Err("month must be in 1..12".into());
    }
    if d < 1 || d > days_in_month(y, m) {
        return Err("day is out of range for month".into());
    }
    let y1 = y - 1;
    Ok(y1 * 365 + y1 / 4 - y1 / 100 + y1 / 400 + days_before_month(y, m) + d)
}

/// `date(y, m, d).weekday()` (Monday is 0).
pub(super) fn weekday(y: i64, m: i64, d: i64) -> Result<i64, String> {
    Ok((ordinal(y, m, d)? + 6) % 7)
}

/// `date.fromordinal(n)` as `(year, month, day)`.
pub(super) fn from_ordinal(n: i64) -> Result<(i64, i64, i64), String> {
    if n < 1 {
        return Err("ordinal must be >= 1".into());
    }
    let n = n - 1;
    let (n400, n) = (n / 146_097, n % 146_097);
    let (n100, n) = (n / 36_524, n % 36_524);
    let (n4, n) = (n / 1461, n % 1461);
    let (n1, n) = (n / 365, n % 365);
    let year = n400 * 400 + 1 + n100 * 100 + n4 * 4 + n1;
    let (y, m, d) = if n1 == 4 || n100 == 4 {
        (year - 1, 12, 31)
    } else {
        let leap = n1 == 3 && (n4 != 24 || n100 == 3);
        let mut month = (n + 50) >> 5;
        let mut preceding = DAYS_BEFORE_MONTH[month as usize] + (month > 2 && leap) as i64;
        if preceding > n {
            month -= 1;
            preceding -= DAYS_IN_MONTH[month as usize] + (month == 2 && leap) as i64;
        }
        (year, month, n - preceding + 1)
    };
    if y > 9999 {
        return Err(format!("year {y} is out of range"));
    }
    Ok((y, m, d))
}

/// `_calc_julian_from_U_or_W`.
pub(super) fn julian_from_week(
    year: i64,
    week: i64,
    day: i64,
    starts_mon: bool,
) -> Result<i64, String> {
    let mut first = weekday(year, 1, 1)?;
    let mut day = day;
    if !starts_mon {
        first = (first + 1) % 7;
        day = (day + 1) % 7;
    }
    let week_0_length = (7 - first) % 7;
    Ok(if week == 0 {
        1 + day - first
    } else {
        1 + week_0_length + 7 * (week - 1) + day
    })
}

/// `_calc_julian_from_V`: the year and day of the year of an ISO year, week and weekday.
pub(super) fn julian_from_iso(
    iso_year: i64,
    week: i64,
    iso_day: i64,
) -> Result<(i64, i64), String> {
    let correction = weekday(iso_year, 1, 4)? + 1 + 3;
    let mut ord = week * 7 + iso_day - correction;
    let mut year = iso_year;
    if ord < 1 {
        ord += ordinal(year, 1, 1)?;
        year -= 1;
        ord -= ordinal(year, 1, 1)?;
    }
    Ok((year, ord))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_round_trip() {
        assert_eq!(ordinal(1, 1, 1), Ok(1));
        assert_eq!(ordinal(2024, 3, 1), Ok(738946));
        for n in [1, 59, 60, 365, 366, 730_120, 738_946, 3_652_059] {
            let (y, m, d) = from_ordinal(n).unwrap();
            assert_eq!(ordinal(y, m, d), Ok(n));
        }
        assert_eq!(weekday(2024, 1, 1), Ok(0));
        assert_eq!(
            ordinal(2023, 2, 29),
            Err("day is out of range for month".into())
        );
        assert_eq!(
            from_ordinal(3_652_060),
            Err("year 10000 is out of range".into())
        );
    }
}
