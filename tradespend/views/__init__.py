"""Trade-spend pages, one module per part of issue 12."""
