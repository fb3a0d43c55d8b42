use anyhow::Context;
use robofleet::control::auth::keys::KeyPair;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Write `<NAME>.key` (the pair, mode 0600) and `<NAME>.pub` (the public half); an
    /// existing file is never overwritten.
    pub name: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let pair = KeyPair::generate().map_err(anyhow::Error::msg)?;
    let (key, public) = pair
        .write(&args.name)
        .map_err(anyhow::Error::msg)
        .context("cannot write the key files")?;
    println!("public_key = \"{}\"", pair.public.to_z85());
    eprintln!(
        "wrote {} (secret: keep it to its owner) and {} (public: share it)",
        key.display(),
        public.display()
    );
    Ok(())
}
