"""The 申报书 as a Word document: written in the form's layout, read back by the form's labels."""
