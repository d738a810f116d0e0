//! Starts simulated phones and registers them with a running adb server, so
//! scripts can be tried on them before they touch real phones.
//!
//! ```text
//! cargo run -p farmhand-sim --example sim-phones -- --phones 3
//! cargo run -p farmhand-sim --example sim-phones -- --scenario farm.json --adb-port 5037
//! ```
//!
//! Serves until Enter is pressed (which disconnects the phones from adb) or
//! the process is interrupted (Ctrl-C; adb then sees them go offline).

use std::io::BufRead;

use farmhand_sim::serve::{serve, ServeOptions};

fn main() {
    let options = match ServeOptions::from_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("sim-phones: {e}");
            std::process::exit(2);
        }
    };
    let serving = match serve(&options) {
        Ok(serving) => serving,
        Err(e) => {
            eprintln!("sim-phones: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "{} simulated phones registered with the adb server on port {}:",
        serving.fleet().phones().len(),
        serving.adb().port()
    );
    for phone in serving.fleet().phones() {
        println!(
            "  {}  {}  {}",
            phone.serial(),
            phone.spec().model,
            phone.packages().join(",")
        );
    }
    println!("Press Enter to stop (or Ctrl-C).");
    let mut line = String::new();
    if matches!(std::io::stdin().lock().read_line(&mut line), Ok(0) | Err(_)) {
        // No terminal (stdin closed): serve until killed.
        loop {
            std::thread::park();
        }
    }
    drop(serving);
    println!("stopped");
}
