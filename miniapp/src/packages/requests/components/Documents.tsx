import { Button, Text, View } from '@tarojs/components';
import type { WorkOrderDetail } from '../../../../../shared/contracts/requests';
import { CATALOG } from '../../../../../shared/requests/catalog';
import { useAction } from '../../../hooks/useAction';
import { pickAndUpload, sizeText, type UploadedDocument } from '../documents';
import './Documents.scss';

interface SlotProps {
  kind: string;
  name: string;
  uploaded?: UploadedDocument;
  onUploaded: (document: UploadedDocument) => void;
  /** Said when the slot is still empty and the customer tries to go on. */
  missing?: string;
}

/** One required document: what it is, the file sent for it, and a button to pick (another) one. */
export function DocumentSlot({ kind, name, uploaded, onUploaded, missing }: SlotProps) {
  const { busy, error, run } = useAction();
  const pick = () =>
    run(async () => {
      const document = await pickAndUpload(kind);
      if (document) onUploaded(document);
    });
  return (
    <View className="document" data-testid={`doc-${kind}`}>
      <View className="document__row">
        <View className="document__main">
          <Text className="document__name">{name}</Text>
          <Text className={`document__state ${uploaded ? 'document__state--done' : ''}`} data-testid={`doc-${kind}-state`}>
            {busy ? '正在上传…' : uploaded ? `已上传 ${uploaded.filename}（${sizeText(uploaded.sizeBytes)}）` : '未上传'}
          </Text>
        </View>
        <Button
          className={`field__action ${busy ? 'field__action--disabled' : ''}`}
          disabled={busy || undefined}
          onClick={pick}
          data-testid={`doc-${kind}-pick`}
        >
          {uploaded ? '重新选择' : '选择文件'}
        </Button>
      </View>
      {(error ?? (!uploaded && missing)) && (
        <Text className="field__error" data-testid={`doc-${kind}-error`}>
          {error ?? missing}
        </Text>
      )}
    </View>
  );
}

interface ListProps {
  documents: Array<{ kind: string; name: string }>;
  uploaded: Record<string, UploadedDocument>;
  onUploaded: (document: UploadedDocument) => void;
  /** Show "please upload" under the empty slots. */
  showMissing?: boolean;
}

/** The documents a request type requires, each uploaded as soon as it is picked. */
export function DocumentList({ documents, uploaded, onUploaded, showMissing }: ListProps) {
  return (
    <View className="documents">
      <Text className="documents__hint">请上传清晰的照片或 PDF 文件，每份不超过 5 MB。</Text>
      {documents.map((document) => (
        <DocumentSlot
          key={document.kind}
          {...document}
          uploaded={uploaded[document.kind]}
          onUploaded={onUploaded}
          missing={showMissing ? `请上传${document.name}` : undefined}
        />
      ))}
    </View>
  );
}

/** The documents an order still lacks, by the catalog's list; none when all are there. */
export const missingDocuments = (documents: Array<{ kind: string }>, uploaded: Record<string, UploadedDocument>) =>
  documents.filter((document) => !uploaded[document.kind]);

const STATUS_TEXT = { received: '已接收', accepted: '审核通过', need_replacing: '需重新提交' } as const;
/** Kinds not among a type's required documents. */
const OTHER_KIND: Record<string, string> = { fault_photo: '现场照片' };

/** The documents filed with an order, each with where its review stands. */
export function OrderDocuments({ order }: { order: WorkOrderDetail }) {
  if (!order.documents.length) return null;
  const kindName = (kind: string) => CATALOG[order.type].documents.find((document) => document.kind === kind)?.name ?? OTHER_KIND[kind] ?? '其他资料';
  return (
    <View className="card" data-testid="order-documents">
      <Text className="card__title">已交资料</Text>
      {order.documents.map((document) => (
        <View key={document.id} className="document document__row" data-testid={`order-doc-${document.id}`}>
          <View className="document__main">
            <Text className="document__name">{kindName(document.kind)}</Text>
            <Text className="document__state">
              {document.filename}（{sizeText(document.sizeBytes)}）
            </Text>
          </View>
          <Text className={`document__status document__status--${document.status}`} data-testid={`order-doc-${document.id}-status`}>
            {STATUS_TEXT[document.status]}
          </Text>
        </View>
      ))}
    </View>
  );
}
