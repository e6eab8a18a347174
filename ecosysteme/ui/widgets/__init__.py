"""What several pages share (never a page's body): the page preamble, the editor's name, the map
export block, the offline map assets and cached layers, the QPV and actor sheets beside a map,
the opening-hours editor, the place chooser and the actor form."""
