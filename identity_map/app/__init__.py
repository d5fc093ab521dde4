"""The Streamlit app's helpers: view models, the workspace of open files, export builders. No Streamlit import here."""
