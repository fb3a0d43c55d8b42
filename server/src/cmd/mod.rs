pub mod backtest;
mod config_file;
pub mod ctl;
pub mod demo;
pub mod feed;
pub mod gateway;
pub mod new;
pub mod replay;
pub mod serve;
