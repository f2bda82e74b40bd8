//! Generates the LR parser from `src/grammar.lalrpop` (skipped when the grammar is unchanged).

fn main() {
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(true)
        .process()
        .expect("lalrpop failed to generate the parser");
}
