use super::keys::KeyPair;
use super::*;

#[test]
fn only_loopback_and_local_transports_are_local() {
    for ep in [
        "tcp://127.0.0.1:5560",
        "tcp://127.0.0.1:*",
        "tcp://127.1.2.3:80",
        "tcp://[::1]:5560",
        "tcp://localhost:5560",
        "ipc:///tmp/robofleet.sock",
        "inproc://control",
    ] {
        assert!(is_local_endpoint(ep), "{ep}");
    }
    for ep in [
        "tcp://*:5560",
        "tcp://0.0.0.0:5560",
        "tcp://[::]:5560",
        "tcp://10.0.0.5:5560",
        "tcp://eth0:5560",
        "tcp://example.com:5560",
        "tcp://127.0.0.1",
        "udp://127.0.0.1:5560",
        "pgm://x",
    ] {
        assert!(!is_local_endpoint(ep), "{ep}");
    }
}

fn access_dir(clients: &str) -> (tempfile::TempDir, std::path::PathBuf, KeyPair) {
    let dir = tempfile::tempdir().unwrap();
    let server = KeyPair::generate().unwrap();
    server.write(&dir.path().join("server")).unwrap();
    let path = dir.path().join("access.toml");
    std::fs::write(&path, format!("server_key = \"server.key\"\n{clients}")).unwrap();
    (dir, path, server)
}

fn client(name: &str, key: &str, role: &str) -> String {
    format!("[[clients]]\nname = \"{name}\"\npublic_key = \"{key}\"\nrole = \"{role}\"\n")
}

#[test]
fn the_access_file_is_read_and_checked() {
    let alice = KeyPair::generate().unwrap().public.to_z85();
    let bob = KeyPair::generate().unwrap().public.to_z85();
    let text = client("alice", &alice, "admin") + &client("bob", &bob, "viewer");
    let (_dir, path, server) = access_dir(&text);
    let access = Access::read(&path).unwrap();
    assert_eq!(access.server.public, server.public);
    let roles: HashMap<_, _> = access
        .clients
        .values()
        .map(|c| (c.name.as_str(), c.role))
        .collect();
    assert_eq!(roles["alice"], Role::Admin);
    assert_eq!(roles["bob"], Role::Viewer);
    assert!(Role::Viewer < Role::Trader && Role::Trader < Role::Admin);

    let refused = |clients: String, says: &str| {
        let (_dir, path, server) = access_dir(&clients);
        let clients = clients.replace("SERVER", &server.public.to_z85());
        std::fs::write(&path, format!("server_key = \"server.key\"\n{clients}")).unwrap();
        let e = Access::read(&path).unwrap_err().to_string();
        assert!(e.contains(says), "{e} (wanted {says})");
    };
    refused(String::new(), "no [[clients]]");
    refused(client("a", &alice, "root"), "unknown variant `root`");
    refused(client("a", "short", "admin"), "40 characters");
    refused(
        client("a", &alice, "admin") + &client("a", &bob, "admin"),
        "given twice",
    );
    refused(
        client("a", &alice, "admin") + &client("b", &alice, "admin"),
        "listed twice",
    );
    refused(client("local", &alice, "admin"), "reserved");
    refused(client("a", "SERVER", "admin"), "server's own key");
    refused(
        client("a", &alice, "admin") + "colour = 1\n",
        "unknown field",
    );
    let (dir, path, _) = access_dir(&client("a", &alice, "admin"));
    std::fs::remove_file(dir.path().join("server.key")).unwrap();
    assert!(Access::read(&path)
        .unwrap_err()
        .to_string()
        .contains("server_key"));
}
