"""What viewers see: aggregate views of every route a viewer may call (DESIGN.md 6).

:mod:`.types` holds the aggregate types (person counts marked on the fields), :mod:`.build`
turns an analysis result into one, :mod:`.routes` maps each route function to its view."""
