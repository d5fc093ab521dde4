"""What people read: the Markdown/JSON impact report and the offline graph page."""
