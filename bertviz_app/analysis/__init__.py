"""What a user can look at, as functions of (model, input) -> numpy. No Qt here."""
