pub mod backtest;
pub mod bench;
pub mod ctl;
pub mod demo;
pub mod feed;
pub mod gateway;
pub mod replay;
pub mod serve;
