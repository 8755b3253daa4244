//! Checklists: which task items a migration has ticked, and where that is kept.
