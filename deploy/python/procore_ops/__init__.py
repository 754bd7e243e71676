"""Operations helpers the Dagster instance loads by module path (put `deploy/python` on PYTHONPATH)."""
