/*
 * The demand map on a real map (Beheer → Vraagkaart), on top of what the page already shows.
 *
 * Without this script, or when Leaflet does not start, the page keeps its plain map of points and
 * its table. With it, each training gets a Leaflet map of the same points, read from the JSON the
 * server put in the page; the plain map moves into a "show" toggle under it. The map tiles come
 * from the tile server in `data-tiles`; when none loads (offline), the points stay on a plain
 * background and a note says so.
 */
(function () {
    "use strict";

    var TILE_WAIT_MS = 8000;

    function readJson(id) {
        var element = document.getElementById(id);
        return element ? JSON.parse(element.textContent) : null;
    }

    function line(parent, text, className) {
        var p = document.createElement("p");
        p.textContent = text;
        if (className) {
            p.className = className;
        }
        parent.appendChild(p);
        return p;
    }

    function areaPopup(area, texts, locations) {
        var box = document.createElement("div");
        var title = document.createElement("h3");
        title.className = "figures-popup__title";
        title.textContent = area.place + " (" + area.pc4 + ")";
        box.appendChild(title);
        line(box, texts.waiting + ": " + area.waiting);
        line(box, texts.signed_up + ": " + area.signed_up);
        if (area.nearest !== null && locations[area.nearest]) {
            line(box, texts.nearest + ": " + locations[area.nearest][2] + ", " + area.nearest_km + " km");
        } else {
            line(box, texts.no_group);
        }
        if (area.uncovered) {
            line(box, texts.uncovered);
        }
        if (area.suggested) {
            line(box, fill(texts.suggested, {count: area.suggested}), "figures-popup__suggestion");
        }
        return box;
    }

    function groupPopup(group, texts) {
        var box = document.createElement("div");
        line(box, texts.group + ": " + group.name);
        return box;
    }

    function addMarker(L, map, lat, lon, options) {
        var size = options.size;
        var marker = L.marker([lat, lon], {
            icon: L.divIcon({className: options.className, iconSize: [size, size], html: ""}),
            keyboard: true,
            riseOnHover: true,
            zIndexOffset: options.zIndex,
        });
        marker.bindPopup(options.popup);
        marker.addTo(map);
        var element = marker.getElement();
        element.setAttribute("aria-label", options.label);
        element.setAttribute("data-kind", options.kind);
        return marker;
    }

    function fill(text, values) {
        return text.replace(/\{(\w+)\}/g, function (all, name) {
            return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
        });
    }

    function escapeHtml(text) {
        var span = document.createElement("span");
        span.textContent = text;
        return span.innerHTML;
    }

    function plainMapToggle(holder) {
        var figure = holder.parentNode.querySelector(".figures-map");
        if (!figure) {
            return;
        }
        var details = document.createElement("details");
        details.className = "figures-map__plain";
        var summary = document.createElement("summary");
        summary.textContent = holder.getAttribute("data-plain-label");
        details.appendChild(summary);
        figure.parentNode.insertBefore(details, figure);
        details.appendChild(figure);
    }

    function start(L, holder, texts, locations) {
        var data = readJson(holder.getAttribute("data-points"));
        // Locations by id (in the page once): [latitude, longitude, name].
        var groups = data.groups.map(function (id) {
            var location = locations[id];
            return {lat: location[0], lon: location[1], name: location[2]};
        });
        var box = holder.querySelector(".figures-map__leaflet");
        var note = holder.querySelector(".figures-leaflet__note");
        var points = data.areas.map(function (area) { return [area.lat, area.lon]; })
            .concat(groups.map(function (group) { return [group.lat, group.lon]; }));
        if (!points.length) {
            return false;
        }
        // The region is shown before the map starts: Leaflet measures its box.
        holder.hidden = false;
        var map = L.map(box, {zoomControl: false, zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true});
        map.attributionControl.setPrefix(false);
        L.control.zoom({zoomInTitle: texts.zoom_in, zoomOutTitle: texts.zoom_out}).addTo(map);
        map.on("popupopen", function (event) {
            var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
            if (close) {
                close.setAttribute("aria-label", texts.close);
                close.setAttribute("title", texts.close);
            }
        });

        // The view first: Leaflet draws layers (and makes the markers' elements) once the map has one.
        if (points.length === 1) {
            map.setView(points[0], 12);
        } else {
            map.fitBounds(points, {padding: [40, 40], maxZoom: 13});
        }

        var tiles = L.tileLayer(holder.getAttribute("data-tiles"), {
            maxZoom: 18,
            attribution: '<a href="https://www.openstreetmap.org/copyright">' + escapeHtml(texts.credit) + "</a>",
        });
        var loaded = false;
        tiles.on("tileload", function () {
            loaded = true;
            note.hidden = true;
        });
        tiles.on("tileerror", function () {
            if (!loaded) {
                note.hidden = false;
            }
        });
        window.setTimeout(function () {
            if (!loaded) {
                note.hidden = false;
            }
        }, TILE_WAIT_MS);
        tiles.addTo(map);

        data.areas.forEach(function (area) {
            var kind = area.suggested ? "suggestion" : (area.uncovered ? "uncovered" : "demand");
            var marker = addMarker(L, map, area.lat, area.lon, {
                className: "figures-dot figures-dot--" + kind,
                size: Math.round(area.radius * 2 + 4),
                zIndex: area.suggested ? 500 : -Math.round(area.radius * 10),
                kind: kind,
                label: fill(texts.area_label, area),
                popup: areaPopup(area, texts, locations),
            });
            // The place names of the larger dots and the suggestions, as on the plain map: without
            // tiles they are the only way to see where is where.
            if (area.suggested || area.radius >= 8) {
                marker.bindTooltip(area.place, {
                    permanent: true,
                    direction: "right",
                    offset: [Math.round(area.radius) + 2, 0],
                    className: "figures-place",
                });
            }
        });
        groups.forEach(function (group) {
            addMarker(L, map, group.lat, group.lon, {
                className: "figures-dot figures-dot--group",
                size: 14,
                zIndex: 1000,
                kind: "group",
                label: texts.group + ": " + group.name,
                popup: groupPopup(group, texts),
            });
        });

        plainMapToggle(holder);
        return true;
    }

    function init() {
        var L = window.L;
        var texts = readJson("kaart-teksten");
        var locations = readJson("kaart-locaties");
        if (!L || !texts || !locations) {
            return;
        }
        Array.prototype.forEach.call(document.querySelectorAll("[data-demand-map]"), function (holder) {
            try {
                if (!start(L, holder, texts, locations)) {
                    holder.hidden = true;
                }
            } catch (error) {
                // Leaflet could not start: the plain map and the table stay as they are.
                holder.hidden = true;
                if (window.console) {
                    window.console.error(error);
                }
            }
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
