"""What only the benchmarks serve: production settings plus a plain Django view to compare pages with."""
