"""Streamlit views: the only package (with app.py and pages/) that imports Streamlit."""
