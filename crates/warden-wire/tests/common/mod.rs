//! Helpers shared by the integration tests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod xml {
    use quick_xml::events::Event;

    /// An XML element with its local name, its text and its child elements (attributes ignored).
    #[derive(Debug, Clone, PartialEq, Eq, Default)]
    pub struct Element {
        pub name: String,
        pub text: String,
        pub children: Vec<Element>,
    }

    impl Element {
        pub fn child(&self, name: &str) -> Option<&Element> {
            self.children.iter().find(|c| c.name == name)
        }
    }

    fn local(name: &[u8]) -> String {
        let s = String::from_utf8_lossy(name).into_owned();
        s.rsplit(':').next().unwrap_or_default().to_owned()
    }

    /// Parses a document into a tree under a synthetic `#document` root.
    pub fn parse_xml(s: &str) -> Element {
        let mut reader = quick_xml::Reader::from_str(s);
        let mut stack = vec![Element {
            name: "#document".into(),
            ..Element::default()
        }];
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => stack.push(Element {
                    name: local(e.name().as_ref()),
                    ..Element::default()
                }),
                Event::Empty(e) => {
                    let el = Element {
                        name: local(e.name().as_ref()),
                        ..Element::default()
                    };
                    stack.last_mut().unwrap().children.push(el);
                }
                Event::End(_) => {
                    let el = stack.pop().unwrap();
                    stack.last_mut().unwrap().children.push(el);
                }
                Event::Text(t) => stack
                    .last_mut()
                    .unwrap()
                    .text
                    .push_str(&t.unescape().expect("text")),
                Event::CData(t) => stack
                    .last_mut()
                    .unwrap()
                    .text
                    .push_str(&String::from_utf8_lossy(&t)),
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(stack.len(), 1, "unbalanced XML");
        stack.pop().unwrap()
    }
}
