"""Reference data: seeds ingested, the catalogue verified, the reference database built."""
