"""The conventional way to serve the same endpoints: FastAPI + psycopg, one row write each."""
