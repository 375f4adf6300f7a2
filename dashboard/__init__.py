"""The Streamlit dashboard of the private-traffic strategy sandbox (``streamlit run dashboard/app.py``)."""
