"""Trade-spend API, one module per part of issue 12."""
