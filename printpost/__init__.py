"""printpost: typesets The AI Morning Post into print-ready newspaper PDFs."""

__version__ = "0.1.0"
