"""Example relying applications that sign their users in through the IdP."""
