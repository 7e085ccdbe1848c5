use super::pool::with_connect_timeout;
use super::*;
use diesel::connection::SimpleConnection;
use std::time::Duration;

/// What `exact_rows!` handed its body: an array of N rows (`Some(N)`) or the slice itself.
trait Shape {
    fn shape(&self) -> Option<usize>;
}
impl<T, const N: usize> Shape for &[T; N] {
    fn shape(&self) -> Option<usize> {
        Some(N)
    }
}
impl<T> Shape for &[T] {
    fn shape(&self) -> Option<usize> {
        None
    }
}

#[test]
fn exact_rows_gives_one_to_four_rows_as_arrays_and_the_rest_as_the_slice() {
    let all = [10, 11, 12, 13, 14, 15];
    for n in 0..=all.len() {
        let rows = &all[..n];
        let (shape, seen) = crate::exact_rows!(rows => (Shape::shape(&rows), rows.to_vec()));
        assert_eq!(seen, rows, "the rows themselves, for {n}");
        let expected = (1..=4).contains(&n).then_some(n);
        assert_eq!(shape, expected, "the shape, for {n}");
    }
}

/// Every SQLite write goes through the writer: the pools' connections refuse to write, `write_tx` does.
#[test]
fn sqlite_writes_only_through_write_tx() {
    let path = std::env::temp_dir().join(format!("reintegra-pool-{}.db", uuid::Uuid::now_v7()));
    let pool = connect(&path.display().to_string(), 2).unwrap();
    migrate(&pool).unwrap();
    let mut conn = pool.get().unwrap();
    let insert = "INSERT INTO institutions (id, name, kind, address, created_at) \
                  VALUES ('i', 'Test', 'NGO', 'Street 1', '2026-12-01 00:00:00')";
    let refused = conn.batch_execute(insert).unwrap_err().to_string();
    assert!(refused.contains("readonly"), "{refused}");
    let inline = pool.reads.pool().get().unwrap().batch_execute(insert);
    assert!(inline.unwrap_err().to_string().contains("readonly"));
    write_tx(&mut conn, |c| Ok(c.batch_execute(insert)?)).unwrap();
    assert_eq!(pool.write_stats(), (1, 1));
    drop((conn, pool));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Every HTTP worker can hold a read connection at once, however many workers there are per core.
#[test]
fn sqlite_has_a_read_connection_per_http_worker() {
    let path = std::env::temp_dir().join(format!("reintegra-pool-{}.db", uuid::Uuid::now_v7()));
    let workers = crate::foundation::config::one_per_core() * 3;
    let pool = connect_for_workers(&path.display().to_string(), 2, workers).unwrap();
    let reads = pool.reads.pool();
    assert_eq!(reads.max_size() as usize, workers);
    let held: Vec<_> = (0..workers)
        .map(|n| {
            reads
                .get_timeout(Duration::from_millis(500))
                .unwrap_or_else(|e| panic!("read connection {n} of {workers}: {e}"))
        })
        .collect();
    assert!(reads.get_timeout(Duration::from_millis(50)).is_err());
    drop((held, pool));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn connect_timeout_is_added_once_and_only_for_postgres() {
    assert_eq!(
        with_connect_timeout("postgres://u@h/db"),
        "postgres://u@h/db?connect_timeout=5"
    );
    assert_eq!(
        with_connect_timeout("postgres://u@h/db?sslmode=disable"),
        "postgres://u@h/db?sslmode=disable&connect_timeout=5"
    );
    assert_eq!(
        with_connect_timeout("postgres://u@h/db?connect_timeout=1"),
        "postgres://u@h/db?connect_timeout=1"
    );
    assert_eq!(with_connect_timeout("reintegra.db"), "reintegra.db");
}
