//! The `kaohe` command line: the binary is the library's `cli` module and the allocator.

/// Every allocation is counted, so the rule sandbox can stop a script that takes too much
/// memory with an error instead of exhausting the machine.
#[global_allocator]
static ALLOCATOR: cap::Cap<mimalloc::MiMalloc> = cap::Cap::new(mimalloc::MiMalloc, usize::MAX);

fn main() -> std::process::ExitCode {
    kaohe::cli::main(|| ALLOCATOR.allocated())
}
