"""A question-answering bot about HMIC's 2012 pilot joint child protection inspections."""

__version__ = "0.1.0"
