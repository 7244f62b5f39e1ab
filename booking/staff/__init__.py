"""The office and the trainers: planning admin, listings and exports, the access log, the trainer area."""
