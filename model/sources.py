"""The seed documents that a parameter's `source` may cite."""

SEED_DOCUMENTS: dict[str, dict[str, str]] = {
    "000_dfcf8106c0ed4cbe.txt": {
        "short": "FBC2 decision (PCD 1138)",
        "title": "CONNECT Full Business Case (FBC) Update, PCD 1138, Mayor's Office for Policing and Crime (2022)",
    },
    "001_86d069ffb4d8e356.txt": {
        "short": "FBC3 report (IAM, Dec 2023)",
        "title": "CONNECT Full Business Case, 3rd iteration, MOPAC Investment Advisory & Monitoring meeting, "
                 "7 December 2023",
    },
}
