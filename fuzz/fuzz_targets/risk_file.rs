//! A `risk.toml`: parsed or refused with a reason, never a panic; what parses resolves into
//! a robot's limits (defaults, its own table, any symbol) without one either.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(file) = robofleet::risk::RiskFile::parse(text) {
            for robot in ["default", "r", "ma_cross"] {
                let limits = file.for_robot(robot);
                let _ = limits.symbol("Si");
                let _ = limits.symbol("*");
            }
        }
    }
});
