//! `equity.svg`: the equity curve over data time. Drawn with plotters' SVG backend and no
//! font backend, so it needs no font files: labels are SVG `<text>` the viewer renders.

use super::report::Report;
use super::timefmt::fmt_ts;
use super::BacktestError;
use plotters::prelude::*;

const SIZE: (u32, u32) = (1000, 500);
/// Beyond this many curve points the plot keeps each bucket's low and high only.
pub(super) const MAX_POINTS: usize = 4000;

/// The equity curve as SVG text, from its step points (seconds since the first row, equity;
/// floats, since plotting is for eyes), already thinned by [`super::stream::EquitySteps`].
pub fn equity_svg(r: &Report, points: Vec<(f64, f64)>) -> Result<String, BacktestError> {
    let (t0, t1) = (r.data.first_ts, r.data.last_ts);
    let secs = |ts: i64| (ts - t0) as f64 / 1e9;

    let x_max = secs(t1).max(1e-9);
    let (mut y_min, mut y_max) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    let pad = ((y_max - y_min) * 0.05).max(1.0);
    y_min -= pad;
    y_max += pad;
    let multi_day = t1 - t0 > 86_400_000_000_000;
    let x_label = |x: &f64| {
        let s = fmt_ts(t0 + (x * 1e9).round() as i64);
        // `2026-11-02T07:00:00.000Z`: the time of day, with the date over more than a day.
        let (date, time) = (s.get(5..10).unwrap_or(""), s.get(11..19).unwrap_or(""));
        if multi_day {
            format!("{date} {}", time.get(..5).unwrap_or(""))
        } else {
            time.to_string()
        }
    };
    let unit = if r.pnl.currencies.is_empty() {
        "price points".to_string()
    } else {
        r.pnl.currencies.join("+")
    };
    let title = format!("{}: equity on {} ({unit})", r.robot, r.data.file);
    let err = |e: &dyn std::fmt::Display| BacktestError::Plot(e.to_string());

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x_max, y_min..y_max)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|y| format!("{y:.1}"))
            .x_desc("time (UTC)")
            .y_desc("equity")
            .draw()
            .map_err(|e| err(&e))?;
        let capital = [(0.0, r.capital.to_f64()), (x_max, r.capital.to_f64())];
        chart
            .draw_series(LineSeries::new(capital, RGBColor(160, 160, 160)))
            .map_err(|e| err(&e))?;
        chart
            .draw_series(LineSeries::new(
                points,
                RGBColor(31, 119, 180).stroke_width(2),
            ))
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(svg)
}

/// At most about `max` points: each of `max / 2` buckets keeps its lowest and highest point,
/// in time order, so spikes and drawdowns survive.
pub(super) fn decimate(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points;
    }
    let per = points.len().div_ceil(max / 2);
    let mut out = Vec::with_capacity(max + 2);
    for chunk in points.chunks(per) {
        let by_y = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
        let lo = chunk.iter().enumerate().min_by(|a, b| by_y(&a.1, &b.1));
        let hi = chunk.iter().enumerate().max_by(|a, b| by_y(&a.1, &b.1));
        if let (Some((i, &l)), Some((j, &h))) = (lo, hi) {
            match i.cmp(&j) {
                std::cmp::Ordering::Less => out.extend([l, h]),
                std::cmp::Ordering::Greater => out.extend([h, l]),
                std::cmp::Ordering::Equal => out.push(l),
            }
        }
    }
    if let Some(&last) = points.last() {
        if out.last() != Some(&last) {
            out.push(last);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decimate;

    #[test]
    fn decimation_keeps_extremes_in_order() {
        let pts: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, if i == 5_003 { -50.0 } else { (i % 7) as f64 }))
            .collect();
        let d = decimate(pts, 1000);
        assert!(d.len() <= 1002, "{}", d.len());
        assert!(d.windows(2).all(|w| w[0].0 <= w[1].0));
        assert!(d.contains(&(5_003.0, -50.0)));
        assert_eq!(d.last(), Some(&(9_999.0, 3.0)));
        let small = vec![(0.0, 1.0), (1.0, 2.0)];
        assert_eq!(decimate(small.clone(), 1000), small);
    }
}
