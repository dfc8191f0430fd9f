"""Meetings service: cell rosters (from member events), meeting records and their ratings."""
